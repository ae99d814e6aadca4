/**
 * What `replicate status` and the TUI say of a file whose pushes are refused because another
 * file with its id pushed since (PairStatus.sharedId), so both name the same way out.
 */
export const PUSHES_REFUSED = 'pushes refused: another file with this id (a copy of it, or the original of a restored backup) has pushed since this one last did';

/** what to run, on which kind of file */
export const PUSHES_REFUSED_FIX = 'run `replicate reset --new-id` on a copy, or `replicate reset --adopt` on a restored backup that replaces the original';
