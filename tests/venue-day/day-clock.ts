import type { ServiceMinute } from './result.ts';

// The day's clock: simulated service minutes against real milliseconds, piecewise linear. The
// evening runs at the compression asked for; a later piece may run faster or slower (the night
// is stretched so the end of the business day lands on a whole real minute, the idle morning is
// hurried). Pure: the driver reads `performance.now()` and hands it in.

interface Piece {
  readonly real: number;
  readonly minute: ServiceMinute;
  /** Simulated minutes per real millisecond. */
  readonly rate: number;
}

export class DayClock {
  private readonly pieces: Piece[] = [];

  /** From `real` on, `minute` runs at `compression` simulated seconds per real second. */
  constructor(real: number, minute: ServiceMinute, compression: number) {
    this.pieces.push({ real, minute, rate: compression / 60_000 });
  }

  /** From `real` on, the clock runs so that it reaches `untilMinute` at `untilReal`. */
  stretch(real: number, untilMinute: ServiceMinute, untilReal: number): void {
    const minute = this.minuteAt(real);
    if (!(untilReal > real) || !(untilMinute > minute))
      throw new Error(`cannot stretch from ${minute} to ${untilMinute} by ${untilReal - real} ms`);
    this.pieces.push({ real, minute, rate: (untilMinute - minute) / (untilReal - real) });
  }

  /** From `real` on, at `compression` simulated seconds per real second. */
  runAt(real: number, compression: number): void {
    this.pieces.push({ real, minute: this.minuteAt(real), rate: compression / 60_000 });
  }

  minuteAt(real: number): ServiceMinute {
    const piece = this.pieceBy((p) => p.real <= real);
    return piece.minute + (real - piece.real) * piece.rate;
  }

  realAt(minute: ServiceMinute): number {
    const piece = this.pieceBy((p) => p.minute <= minute);
    return piece.real + (minute - piece.minute) / piece.rate;
  }

  /** Real milliseconds `minutes` of simulated time take at the clock's rate at `real`. */
  realFor(minutes: number, real: number): number {
    return minutes / this.pieceBy((p) => p.real <= real).rate;
  }

  private pieceBy(test: (piece: Piece) => boolean): Piece {
    for (let i = this.pieces.length - 1; i >= 0; i--) {
      const piece = this.pieces[i] as Piece;
      if (test(piece)) return piece;
    }
    return this.pieces[0] as Piece;
  }
}

/** `HH:MM` of a service minute (past midnight it wraps: 1500 is 01:00). */
export function clockTime(minute: ServiceMinute): string {
  const total = Math.floor(minute) % (24 * 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
