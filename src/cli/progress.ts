/**
 * A one-line progress bar redrawn in place with `\r`, for terminals only:
 * written to a pipe or a log file, carriage returns turn into noise, so
 * `cubie run` draws it only when stderr is a TTY (and not with --quiet or
 * --json).
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class ProgressBar {
  private lastDraw = 0;
  private lastDone = -1;
  private drawn = false;
  private readonly started = Date.now();

  /** `minIntervalMs`: redraws closer together than this are skipped (a terminal cannot show them anyway). */
  constructor(private readonly stream: ProgressStream, private readonly total: number, private readonly unit = 'runs', private readonly minIntervalMs = 100) {}

  /** The bar's text for `done` of `total` after `elapsedMs`, fitted to `width` columns. */
  static render(done: number, total: number, elapsedMs: number, width: number, unit = 'runs'): string {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const remaining = fraction > 0 && fraction < 1 ? `, ~${seconds((elapsedMs * (1 - fraction)) / fraction)} left` : '';
    const text = ` ${percent}  ${done}/${total} ${unit}  ${seconds(elapsedMs)}${remaining}`;
    const barWidth = Math.max(10, Math.min(40, width - text.length - 3));
    const filled = Math.round(fraction * barWidth);
    return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]${text}`.slice(0, Math.max(0, width - 1));
  }

  update(done: number): void {
    const now = Date.now();
    if (done === this.lastDone || (done < this.total && now - this.lastDraw < this.minIntervalMs)) return;
    this.lastDraw = now;
    this.lastDone = done;
    // A pseudo-terminal can report 0 columns: fall back to the classic 80.
    const line = ProgressBar.render(done, this.total, now - this.started, this.stream.columns || 80, this.unit);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
