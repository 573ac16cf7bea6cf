#include "frame.h"

namespace berth::monitor {

void AppendFrame(std::string* out, uint8_t type, const void* data, size_t size) {
  char header[kFrameHeaderSize];
  header[0] = static_cast<char>(type);
  uint32_t n = static_cast<uint32_t>(size);
  header[1] = static_cast<char>((n >> 24) & 0xFF);
  header[2] = static_cast<char>((n >> 16) & 0xFF);
  header[3] = static_cast<char>((n >> 8) & 0xFF);
  header[4] = static_cast<char>(n & 0xFF);
  out->append(header, sizeof header);
  out->append(static_cast<const char*>(data), size);
}

void FrameReader::Feed(const char* data, size_t size) {
  if (offset_ > 0 && offset_ == buf_.size()) {
    buf_.clear();
    offset_ = 0;
  }
  buf_.append(data, size);
}

FrameReader::Result FrameReader::Next(uint8_t* type, std::string* payload) {
  size_t avail = buf_.size() - offset_;
  if (avail < kFrameHeaderSize) return Result::kNeedMore;
  const unsigned char* h = reinterpret_cast<const unsigned char*>(buf_.data() + offset_);
  uint32_t n = (static_cast<uint32_t>(h[1]) << 24) | (static_cast<uint32_t>(h[2]) << 16) |
               (static_cast<uint32_t>(h[3]) << 8) | h[4];
  if (n > kMaxClientPayload) return Result::kTooLarge;
  if (avail < kFrameHeaderSize + n) return Result::kNeedMore;
  *type = h[0];
  payload->assign(buf_.data() + offset_ + kFrameHeaderSize, n);
  offset_ += kFrameHeaderSize + n;
  if (offset_ > 65536 && offset_ * 2 > buf_.size()) {
    buf_.erase(0, offset_);
    offset_ = 0;
  }
  return Result::kFrame;
}

}  // namespace berth::monitor
