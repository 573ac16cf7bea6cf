// The attach / control framing: 1 byte type, 4 bytes payload length (big
// endian), payload.
//
//   type  name         direction          payload
//   0     stdin        client → monitor   bytes for the container's stdin
//   1     stdout       monitor → client   bytes (with a terminal: all output)
//   2     stderr       monitor → client   bytes
//   3     exit         monitor → client   exit.json's JSON, then the monitor closes
//   4     resize       client → monitor   rows u16 BE, cols u16 BE (terminal only)
//   5     close-stdin  client → monitor   empty; closes the container's stdin pipe
//   6     started      monitor → client   exec control fd: {"pid":N,"pidStartTime":N}
//   7     error        monitor → client   {step, errno, errnoName, message}
//
// Client frames larger than 1 MiB, or of an unknown type, end the connection.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>

namespace berth::monitor {

enum FrameType : uint8_t {
  kFrameStdin = 0,
  kFrameStdout = 1,
  kFrameStderr = 2,
  kFrameExit = 3,
  kFrameResize = 4,
  kFrameCloseStdin = 5,
  kFrameStarted = 6,
  kFrameError = 7,
};

constexpr size_t kFrameHeaderSize = 5;
constexpr uint32_t kMaxClientPayload = 1u << 20;

void AppendFrame(std::string* out, uint8_t type, const void* data, size_t size);

class FrameReader {
 public:
  enum class Result { kNeedMore, kFrame, kTooLarge };
  void Feed(const char* data, size_t size);
  Result Next(uint8_t* type, std::string* payload);
  size_t Buffered() const { return buf_.size() - offset_; }

 private:
  std::string buf_;
  size_t offset_ = 0;
};

}  // namespace berth::monitor
