/**
 * Parts in flight, shared by every file a dump writes at once: memory stays about
 * (files being written + slots) × part size however many files are open.
 */
export class PartBudget {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly slots: number) {
    this.free = slots;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Part buffers of one size, reused: a dump writes thousands of parts. */
export class PartBuffers {
  private readonly spare: Buffer[] = [];
  constructor(readonly size: number, private readonly keep: number) {}

  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    if (buffer.length === this.size && this.spare.length < this.keep) this.spare.push(buffer);
  }
}
