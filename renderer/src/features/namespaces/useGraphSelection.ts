/**
 * What a namespace graph view keeps of the user's pointing: the selection
 * (shown in the details panel) and where the graph last centred. A click
 * in the graph only selects; a jump (from the details panel or a summary)
 * selects and centres the graph on the node, even when it is the one
 * already centred (the sequence number changes).
 */
import { useCallback, useState } from 'react';
import { ctrNodeId, type Selection } from './flow';

export interface GraphSelection {
  selection: Selection | null;
  setSelection: (sel: Selection | null) => void;
  centerOn: { id: string; seq: number } | null;
  select: (sel: Selection | null) => void;
  jump: (sel: Selection) => void;
}

export function useGraphSelection(): GraphSelection {
  const [selection, setSelection] = useState<Selection | null>(null);
  const [centerOn, setCenterOn] = useState<{ id: string; seq: number } | null>(null);
  const select = useCallback((sel: Selection | null) => setSelection(sel), []);
  const jump = useCallback((sel: Selection) => {
    setSelection(sel);
    setCenterOn((prev) => ({ id: sel.kind === 'ctr' ? ctrNodeId(sel.id) : sel.id, seq: (prev?.seq ?? 0) + 1 }));
  }, []);
  return { selection, setSelection, centerOn, select, jump };
}
