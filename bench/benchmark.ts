/** Figures a benchmark reports: rates, counts, ratios, and the command or setting that produced them. */
export type Figures = Record<string, number | string | boolean | null>;

export interface Benchmark {
  name: string;
  description: string;
  /** Measures and returns the figures; `log` prints progress lines in the human-readable mode. */
  run(log: (line: string) => void): Promise<Figures>;
}
