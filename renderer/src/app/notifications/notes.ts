/**
 * The window's own list of notes (container notifications, failed commands):
 * a tiny external store, so the notifier and the command palette both post
 * to it and one component shows it.
 */
import { useSyncExternalStore } from 'react';

export interface ShownNote {
  key: number;
  kind: 'died' | 'oom' | 'loop' | 'error';
  title: string;
  body: string;
}

const MAX_SHOWN = 5;

export class NoteStore {
  private notes: readonly ShownNote[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  push(note: Omit<ShownNote, 'key'>): void {
    this.notes = [...this.notes, { ...note, key: ++this.seq }].slice(-MAX_SHOWN);
    this.listeners.forEach((l) => l());
  }

  dismiss(key: number): void {
    this.notes = this.notes.filter((n) => n.key !== key);
    this.listeners.forEach((l) => l());
  }

  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  readonly snapshot = (): readonly ShownNote[] => this.notes;
}

export const notes = new NoteStore();

export function useNotes(store: NoteStore = notes): readonly ShownNote[] {
  return useSyncExternalStore(store.subscribe, store.snapshot);
}
