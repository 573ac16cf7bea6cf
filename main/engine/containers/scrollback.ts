/**
 * The recent output of a session, kept so a client that reattaches (a
 * reloaded page) can show what the terminal showed. Bounded: only the last
 * `limit` bytes stay. Offsets count every byte the session ever wrote, so a
 * client can tell which events its snapshot already holds.
 */
export class Scrollback {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes written since the session began (the offset of the next byte). */
  private end = 0;

  constructor(private readonly limit: number) {}

  /** Appends a chunk; returns the offset of its first byte. */
  push(data: Buffer): number {
    const at = this.end;
    this.end += data.length;
    if (this.limit <= 0) return at;
    const kept = data.length > this.limit ? data.subarray(data.length - this.limit) : data;
    this.chunks.push(Buffer.from(kept)); // a copy: the stream may reuse its buffer
    this.bytes += kept.length;
    while (this.bytes > this.limit) {
      const first = this.chunks[0]!;
      const over = this.bytes - this.limit;
      if (first.length <= over) {
        this.chunks.shift();
        this.bytes -= first.length;
      } else {
        this.chunks[0] = first.subarray(over);
        this.bytes -= over;
      }
    }
    return at;
  }

  /**
   * What is kept, and the offset just past it. When older output was dropped,
   * the snapshot starts at the next line (within the first KiB), so it does not
   * begin inside an escape sequence or a multi-byte character.
   */
  snapshot(): { data: Buffer; end: number } {
    let data = Buffer.concat(this.chunks, this.bytes);
    if (this.end > this.bytes) {
      const nl = data.subarray(0, 1024).indexOf(0x0a);
      if (nl >= 0) data = data.subarray(nl + 1);
    }
    return { data, end: this.end };
  }
}
