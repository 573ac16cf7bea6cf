/**
 * Go's text/tabwriter as docker's table output sets it up
 * (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`): tab-terminated cells are
 * aligned in columns at least `minWidth` wide with `padding` spaces after the
 * widest cell; the text after a line's last tab is not a column. A column is
 * a block of consecutive lines that have a cell there, as in Go.
 */
export interface TabOptions {
  minWidth: number;
  padding: number;
}

export const DOCKER_TABS: TabOptions = { minWidth: 10, padding: 3 };

const width = (s: string): number => [...s].length;

export function tabwrite(text: string, o: TabOptions = DOCKER_TABS): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  // Column `col` over lines [from, to): blocks of lines with a terminated cell at col.
  const format = (from: number, to: number, col: number): void => {
    let i = from;
    while (i < to) {
      if (lines[i]!.length - 1 <= col) {
        i++;
        continue;
      }
      let j = i;
      let w = o.minWidth;
      while (j < to && lines[j]!.length - 1 > col) {
        w = Math.max(w, width(lines[j]![col]!) + o.padding);
        j++;
      }
      for (let k = i; k < j; k++) widths[k]![col] = w;
      format(i, j, col + 1);
      i = j;
    }
  };
  format(0, lines.length, 0);
  return lines
    .map((cells, li) =>
      cells.map((c, ci) => (ci < cells.length - 1 ? c + ' '.repeat(widths[li]![ci]! - width(c)) : c)).join(''),
    )
    .join('\n');
}
