// The part of cli-progress's API that omiga-flow uses (the package ships no types).
declare namespace cliProgress {
  interface Options {
    format?: string;
    hideCursor?: boolean;
  }
  interface Preset {
    format?: string;
  }
  class SingleBar {
    constructor(options: Options, preset?: Preset);
    start(total: number, value: number, payload?: Record<string, string>): void;
    update(value: number, payload?: Record<string, string>): void;
    update(payload: Record<string, string>): void;
    stop(): void;
  }
  const Presets: { shades_classic: Preset };
}
export default cliProgress;
