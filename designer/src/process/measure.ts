/**
 * Sizes of what the canvas draws, computed from the text before it is drawn: the layout needs
 * every node's and every edge label's box, and React Flow measures only the nodes in view. Text
 * is measured with a canvas in the page's font and broken into lines here; the node and the label
 * draw exactly these lines (no wrapping of their own), so their boxes are the ones computed.
 */

export interface Size {
  width: number;
  height: number;
}

export interface TextBox extends Size {
  lines: string[];
}

/** The canvas's fonts: node titles, the node's type row, edge labels. */
export const FONT = {
  title: { size: 14, weight: 600, lineHeight: 20 },
  type: { size: 12, weight: 400, lineHeight: 17 },
  label: { size: 12, weight: 400, lineHeight: 16 },
} as const;
type Font = (typeof FONT)[keyof typeof FONT];

/** A node's box: 2 px border, 12 px padding across, 6 px down. */
export const NODE_BOX = { border: 2, padX: 12, padY: 6, minWidth: 150, maxText: 220, maxLines: 2 } as const;
/** An edge label's box: 1 px border, 6 px padding across, 2 px down. */
export const LABEL_BOX = { border: 1, padX: 6, padY: 2, maxText: 170, maxLines: 5 } as const;

/**
 * The family the canvas's texts are drawn in, and measured in: antd's own stack, set on the nodes
 * and labels themselves so that what is measured is what is drawn whatever the page around says.
 */
export const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol', 'Noto Color Emoji'";

let context: CanvasRenderingContext2D | null | undefined;

function measurer(): CanvasRenderingContext2D | null {
  if (context === undefined)
    context = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  return context;
}

const widths = new Map<string, number>();

/** Width of one line of text in the font, in CSS pixels. */
export function textWidth(text: string, font: Font): number {
  const key = `${font.size}/${font.weight}/${text}`;
  const hit = widths.get(key);
  if (hit !== undefined) return hit;
  const ctx = measurer();
  let width: number;
  if (ctx) {
    ctx.font = `${font.weight} ${font.size}px ${FONT_FAMILY}`;
    width = ctx.measureText(text).width;
  } else {
    // No canvas (a test outside the browser): wide characters count double.
    width = Array.from(text).reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 1 : 0.6), 0) * font.size;
  }
  if (widths.size > 5000) widths.clear();
  widths.set(key, width);
  return width;
}

/** Words, and each CJK character on its own: where a line may break. */
function pieces(text: string): string[] {
  return (
    text.match(
      /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef][，。、；：）」』]?|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+\s*|\s+/g,
    ) ?? []
  );
}

/**
 * `text` broken into at most `maxLines` lines no wider than `max`; the last line ends in "…"
 * when the text does not fit.
 */
export function breakLines(text: string, font: Font, max: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces(text)) {
    const next = line + piece;
    if (line && textWidth(next.trimEnd(), font) > max) {
      lines.push(line.trimEnd());
      line = piece.trimStart();
    } else line = next;
    // A single word wider than a line is cut where it must be.
    while (textWidth(line.trimEnd(), font) > max) {
      const chars = Array.from(line);
      let n = chars.length - 1;
      while (n > 1 && textWidth(chars.slice(0, n).join(''), font) > max) n--;
      lines.push(chars.slice(0, n).join(''));
      line = chars.slice(n).join('');
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  if (lines.length <= maxLines) return lines.length ? lines : [''];
  const kept = lines.slice(0, maxLines);
  let last = `${kept[maxLines - 1]}…`;
  while (Array.from(last).length > 1 && textWidth(last, font) > max)
    last = `${Array.from(last).slice(0, -2).join('')}…`;
  kept[maxLines - 1] = last;
  return kept;
}

const widest = (lines: string[], font: Font) => Math.max(0, ...lines.map((l) => textWidth(l, font)));

/** A node's box: its type row over its title's lines. */
export function nodeBox(title: string, typeRow: string): TextBox & { typeWidth: number } {
  const lines = breakLines(title, FONT.title, NODE_BOX.maxText, NODE_BOX.maxLines);
  const typeWidth = textWidth(typeRow, FONT.type);
  const inner = Math.ceil(Math.max(widest(lines, FONT.title), typeWidth)) + 2;
  return {
    lines,
    typeWidth,
    width: Math.max(NODE_BOX.minWidth, inner + 2 * (NODE_BOX.padX + NODE_BOX.border)),
    height:
      FONT.type.lineHeight + lines.length * FONT.title.lineHeight + 2 * (NODE_BOX.padY + NODE_BOX.border),
  };
}

/** An edge label's box. */
export function labelBox(text: string): TextBox {
  const lines = breakLines(text, FONT.label, LABEL_BOX.maxText, LABEL_BOX.maxLines);
  return {
    lines,
    width: Math.ceil(widest(lines, FONT.label)) + 2 + 2 * (LABEL_BOX.padX + LABEL_BOX.border),
    height: lines.length * FONT.label.lineHeight + 2 * (LABEL_BOX.padY + LABEL_BOX.border),
  };
}
