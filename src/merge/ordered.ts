/**
 * Streams each in ascending `position` merged into one ascending stream,
 * holding one item per stream (a binary heap of the streams' heads, so a
 * thousand-shard job array costs log2(1000) comparisons per record).
 */
export async function* byPosition<T extends { position: number }>(streams: AsyncIterator<T>[]): AsyncGenerator<T> {
  const heap: { head: T; stream: AsyncIterator<T> }[] = [];
  const push = (entry: { head: T; stream: AsyncIterator<T> }) => {
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent].head.position <= heap[i].head.position) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < heap.length && heap[l].head.position < heap[least].head.position) least = l;
        if (r < heap.length && heap[r].head.position < heap[least].head.position) least = r;
        if (least === i) break;
        [heap[least], heap[i]] = [heap[i], heap[least]];
        i = least;
      }
    }
    return top;
  };
  const advance = async (stream: AsyncIterator<T>) => {
    const next = await stream.next();
    if (!next.done) push({ head: next.value, stream });
  };
  for (const stream of streams) await advance(stream);
  while (heap.length > 0) {
    const { head, stream } = pop();
    yield head;
    await advance(stream);
  }
}
