/**
 * Signals a whole process group (a task started `detached` leads its own group, whose id is its pid),
 * so the children a command started go too. Returns false when the group is already gone.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EPERM: the group id now belongs to another user's processes; ours are gone.
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw e;
  }
}
