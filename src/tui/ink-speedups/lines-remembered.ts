/**
 * What the stand-ins remember per line of text, across frames: most lines are the same from
 * one frame to the next. Bounded: emptied when full (a frame needs about 50 lines again).
 */
export class LinesRemembered<T> {
  private readonly byLine = new Map<string, T>();

  constructor(private readonly limit: number) {}

  /** `line`'s remembered value, or `compute(line)` remembered from now on */
  get(line: string, compute: (line: string) => T): T {
    let value = this.byLine.get(line);
    if (value === undefined) {
      value = compute(line);
      if (this.byLine.size >= this.limit) this.byLine.clear();
      this.byLine.set(line, value);
    }
    return value;
  }
}
