/** What a scenario hands back to run.ts. */
export interface ScenarioReport {
  /** File-name stem of the chart, e.g. `overhead` (written as `<id>.svg`). */
  id: string;
  title: string;
  /** The section of results.md, without its heading. */
  markdown: string;
  svg: string;
  /** Figures for the headline table: label → value text. */
  headline: Array<[string, string]>;
}
