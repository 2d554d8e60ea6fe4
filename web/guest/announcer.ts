import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * What the page says to a screen reader after each action ("Added 2 × Burger to your basket",
 * "Order sent"), through one polite live region the page renders with `text`. Saying the same
 * words twice still announces them: the text alternates a trailing no-break space.
 */
export class Announcer implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #text = '';
  #count = 0;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  get text(): string {
    return this.#text;
  }

  say(text: string): void {
    this.#count += 1;
    this.#text = this.#count % 2 === 0 ? `${text}\u00a0` : text;
    this.#host.requestUpdate();
  }

  hostConnected(): void {}
}
