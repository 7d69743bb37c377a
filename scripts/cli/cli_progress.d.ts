// The part of cli-progress's API that omiga-flow uses (the package ships no types).
declare namespace cliProgress {
  interface Options {
    format?: string;
    hideCursor?: boolean;
  }
  interface Preset {
    format?: string;
  }
  /** One bar of a {@link MultiBar}. */
  interface Bar {
    update(value: number, payload?: Record<string, string>): void;
    setTotal(total: number): void;
  }
  /** Several bars at once, with log lines above them. */
  class MultiBar {
    constructor(options: Options, preset?: Preset);
    create(total: number, value: number, payload?: Record<string, string>): Bar;
    remove(bar: Bar): boolean;
    log(text: string): void;
    stop(): void;
  }
  const Presets: { shades_classic: Preset };
}
export default cliProgress;
