import type { Operation, OpResult } from '#protocol';
import type { Device } from './devices.ts';

/** One answer a device got for an op, and who gave it. */
export interface Answer {
  readonly via: 'relay' | 'cloud';
  readonly result: OpResult;
  readonly kind: 'ack' | 'rejected';
}

export interface OpRecord {
  readonly op: Operation;
  readonly device: Device;
  /** Position in its device's order. */
  readonly index: number;
  readonly answers: Answer[];
}

/** A broken invariant: its name, what was seen, and the step it was seen at. */
export interface Violation {
  readonly invariant: string;
  readonly detail: string;
  readonly step: number;
}

/** Everything the checker needs: every op made, every answer given, what broke along the way. */
export class History {
  readonly ops = new Map<string, OpRecord>();
  readonly violations: Violation[] = [];
  step = 0;
  private readonly counts = new Map<string, number>();

  made(device: Device, op: Operation): void {
    const index = this.counts.get(device.id) ?? 0;
    this.counts.set(device.id, index + 1);
    this.ops.set(op.opId, { op, device, index, answers: [] });
  }

  answered(opId: string, answer: Answer): void {
    this.ops.get(opId)?.answers.push(answer);
  }

  violate(invariant: string, detail: string): void {
    this.violations.push({ invariant, detail, step: this.step });
  }

  madeOpIds(): string[] {
    return [...this.ops.keys()];
  }
}
