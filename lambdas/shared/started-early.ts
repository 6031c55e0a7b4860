/**
 * Work started before it is known to be needed, so that it overlaps other work (admit reads the
 * switches while the incident claim is in flight). Its outcome is kept for whoever asks for
 * `result()`: a failure is raised there, as the original error. When nobody asks (the caller
 * returned before it needed the value), a failure goes unseen on purpose and is not an unhandled
 * rejection that would crash the process.
 */
export interface StartedEarly<T> {
  result(): Promise<T>;
}

export function startEarly<T>(work: Promise<T>): StartedEarly<T> {
  const outcome: Promise<PromiseSettledResult<T>> = work.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
  return {
    async result() {
      const settled = await outcome;
      if (settled.status === 'rejected') throw settled.reason;
      return settled.value;
    },
  };
}
