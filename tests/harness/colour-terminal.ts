/**
 * Ink's colours come from chalk, which decides when it is imported whether the terminal has
 * colour: call this before importing Ink to make this test file a colour terminal; the
 * variable is put back after the file.
 */
import { afterAll } from 'vitest';

export function actAsColourTerminal(): void {
  const before = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '3';
  afterAll(() => {
    if (before === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = before;
  });
}
