import type { StationChoice } from './board.ts';

/**
 * Where the display keeps its station: on the device (not in the account), so a wall screen
 * stays the grill's whoever signs in. Not a secret; localStorage is enough.
 */
export interface StationStore {
  load(): StationChoice | undefined;
  save(choice: StationChoice | undefined): void;
}

const KEY = 'hearth.kitchen.station';

export function parseStation(text: string | null): StationChoice | undefined {
  if (!text) return undefined;
  if (text === 'expo') return { kind: 'expo' };
  return /^[a-z][a-z0-9-]{0,31}$/.test(text) ? { kind: 'prep', id: text } : undefined;
}

export const stationKey = (choice: StationChoice): string =>
  choice.kind === 'expo' ? 'expo' : choice.id;

export function browserStationStore(storage: Storage = window.localStorage): StationStore {
  return {
    load: () => parseStation(storage.getItem(KEY)),
    save(choice) {
      if (choice) storage.setItem(KEY, stationKey(choice));
      else storage.removeItem(KEY);
    },
  };
}

export function memoryStationStore(initial?: StationChoice): StationStore {
  let value = initial;
  return {
    load: () => value,
    save(choice) {
      value = choice;
    },
  };
}

/** Roles that may change a display's station once it is set. */
const CHANGES_STATION: ReadonlySet<string> = new Set(['manager', 'owner']);

/**
 * Whether whoever is signed in may pick the display's station: anyone on a display that has
 * none yet (first open), then only a manager or owner — a cook cannot move the grill's screen.
 */
export function mayChooseStation(role: string, chosen: StationChoice | undefined): boolean {
  return chosen === undefined || CHANGES_STATION.has(role);
}
