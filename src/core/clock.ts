/** Time source, injectable so tests can pin it. All times are integer milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
