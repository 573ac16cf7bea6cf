/** Keeps keystrokes in order: one `sessions.write` in flight, the rest batched behind it. */
export class InputQueue {
  private pending = '';
  private inFlight = false;
  private closed = false;

  constructor(
    private readonly send: (chunk: string) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly maxChunk = 512 * 1024,
  ) {}

  push(data: string): void {
    if (this.closed) return;
    this.pending += data;
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.pending = '';
  }

  private async pump(): Promise<void> {
    if (this.inFlight || this.pending === '' || this.closed) return;
    this.inFlight = true;
    const chunk = this.pending.slice(0, this.maxChunk);
    this.pending = this.pending.slice(chunk.length);
    try {
      await this.send(chunk);
    } catch (err) {
      this.onError(err);
    } finally {
      this.inFlight = false;
      void this.pump();
    }
  }
}
