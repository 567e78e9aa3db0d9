import { randomBytes, randomInt } from 'node:crypto';

/** A run id as MLflow makes them: 32 lowercase hex characters. */
export function newRunId(): string {
  return randomBytes(16).toString('hex');
}

const ADJECTIVES = [
  'amazing',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'crisp',
  'dapper',
  'eager',
  'fearless',
  'gentle',
  'glamorous',
  'honest',
  'jolly',
  'keen',
  'lively',
  'mellow',
  'nimble',
  'placid',
  'polite',
  'quick',
  'secretive',
  'serene',
  'shy',
  'silent',
  'smiling',
  'sneaky',
  'stylish',
  'sunny',
  'witty',
];
const ANIMALS = [
  'ant',
  'bat',
  'bee',
  'bird',
  'cat',
  'colt',
  'crab',
  'deer',
  'doe',
  'eel',
  'finch',
  'fox',
  'frog',
  'gull',
  'hawk',
  'hen',
  'jay',
  'koi',
  'lark',
  'mole',
  'moth',
  'newt',
  'owl',
  'panda',
  'quail',
  'ram',
  'seal',
  'shark',
  'slug',
  'snail',
  'squid',
  'stag',
  'swan',
  'toad',
  'trout',
  'whale',
  'wolf',
  'yak',
];

/** A readable default run name, like MLflow's `placid-quail-285`. */
export function newRunName(): string {
  const a = ADJECTIVES[randomInt(ADJECTIVES.length)];
  const b = ANIMALS[randomInt(ANIMALS.length)];
  return `${a}-${b}-${randomInt(1000)}`;
}
