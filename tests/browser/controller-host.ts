import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * A ReactiveControllerHost without an element: it counts update requests, and connects and
 * disconnects its controllers when the test says so.
 */
export class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  readonly updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(controller: ReactiveController): void {
    const at = this.controllers.indexOf(controller);
    if (at >= 0) this.controllers.splice(at, 1);
  }
  requestUpdate(): void {
    this.updates++;
  }
  connect(): void {
    for (const c of this.controllers) c.hostConnected?.();
  }
  disconnect(): void {
    for (const c of this.controllers) c.hostDisconnected?.();
  }
}
