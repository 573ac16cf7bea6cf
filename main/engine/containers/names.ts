/** Docker-style names (adjective_surname) and 64-hex ids. */
import { randomBytes } from 'node:crypto';

const ADJECTIVES = [
  'agile',
  'bold',
  'brave',
  'calm',
  'clever',
  'crisp',
  'eager',
  'fair',
  'gentle',
  'happy',
  'keen',
  'lucid',
  'merry',
  'nimble',
  'proud',
  'quiet',
  'sharp',
  'steady',
  'swift',
  'tidy',
];
const NAMES = [
  'babbage',
  'curie',
  'dijkstra',
  'euler',
  'fermi',
  'gauss',
  'hopper',
  'knuth',
  'lamport',
  'lovelace',
  'mccarthy',
  'noether',
  'pike',
  'ritchie',
  'shannon',
  'thompson',
  'torvalds',
  'turing',
  'wirth',
  'zuse',
];

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; i < 1000; i++) {
    const a = ADJECTIVES[randomBytes(1)[0]! % ADJECTIVES.length]!;
    const n = NAMES[randomBytes(1)[0]! % NAMES.length]!;
    const name = i < 100 ? `${a}_${n}` : `${a}_${n}${i}`;
    if (!taken(name)) return name;
  }
  return `berth_${randomBytes(4).toString('hex')}`;
}
