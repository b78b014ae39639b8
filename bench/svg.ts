/** Hand-written SVG bar charts: one or more panels of horizontal bars, stacked vertically. */

export interface Bar {
  label: string;
  value: number;
  /** Text printed after the bar; the value with two decimals when omitted. */
  text?: string;
}

export interface Panel {
  title: string;
  bars: Bar[];
  /** A dashed vertical line, e.g. at 1.0 for ratios or at a goal. */
  reference?: { value: number; label: string };
}

const WIDTH = 880;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 270;
const ROW = 26;
const PANEL_HEAD = 34;
const PANEL_GAP = 18;
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#9c755f'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One SVG document with a title line, the panels, and a footnote. */
export function barChart(title: string, panels: Panel[], footnote = ''): string {
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
  const parts: string[] = [];
  let y = 40;
  for (const panel of panels) {
    const finite = panel.bars.map((b) => b.value).filter((v) => Number.isFinite(v));
    const max = Math.max(...finite, panel.reference?.value ?? 0, Number.MIN_VALUE);
    const scale = plotWidth / max;
    parts.push(`<text x="12" y="${y + 18}" class="panel">${escape(panel.title)}</text>`);
    const top = y + PANEL_HEAD;
    panel.bars.forEach((bar, i) => {
      const rowY = top + i * ROW;
      const w = Number.isFinite(bar.value) ? Math.max(1, bar.value * scale) : 0;
      const text = bar.text ?? (Number.isFinite(bar.value) ? bar.value.toFixed(2) : 'n/a');
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${rowY + 17}" text-anchor="end">${escape(bar.label)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${rowY + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${COLORS[i % COLORS.length]}"/>`,
        `<text x="${(LABEL_WIDTH + w + 6).toFixed(1)}" y="${rowY + 17}">${escape(text)}</text>`,
      );
    });
    const bottom = top + panel.bars.length * ROW;
    parts.push(`<line x1="${LABEL_WIDTH}" y1="${top}" x2="${LABEL_WIDTH}" y2="${bottom}" stroke="#333"/>`);
    if (panel.reference) {
      const x = (LABEL_WIDTH + panel.reference.value * scale).toFixed(1);
      parts.push(
        `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="#333" stroke-dasharray="4 3"/>`,
        `<text x="${x}" y="${top - 7}" text-anchor="middle" class="small">${escape(panel.reference.label)}</text>`,
      );
    }
    y = bottom + PANEL_GAP;
  }
  const height = y + (footnote ? 22 : 4);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    '<style>.title{font-size:16px;font-weight:bold}.panel{font-size:14px;font-weight:bold}.small{font-size:11px;fill:#555}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="24" class="title">${escape(title)}</text>`,
    ...parts,
    footnote ? `<text x="12" y="${height - 10}" class="small">${escape(footnote)}</text>` : '',
    '</svg>',
    '',
  ].join('\n');
}
