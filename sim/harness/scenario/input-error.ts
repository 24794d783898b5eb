import { LineCounter, type Node } from 'yaml';

/** Bad user input: printed as one `file:line:col: message` line, exit code 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  override toString(): string {
    return `${this.file}:${this.line}:${this.col}: ${this.message}`;
  }
}

/** Turns YAML node ranges into `InputError`s that name file, line and column. */
export class SourceLocator {
  readonly lines = new LineCounter();

  constructor(readonly file: string) {}

  errorAt(offset: number, message: string): InputError {
    const { line, col } = this.lines.linePos(offset);
    return new InputError(this.file, line, col, message);
  }

  errorOn(node: Node | null | undefined, message: string): InputError {
    return this.errorAt(node?.range?.[0] ?? 0, message);
  }
}
