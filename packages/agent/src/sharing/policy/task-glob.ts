// Task-key patterns, as an operator writes them in --serve, --accept and the config file.
// Task keys are "/"-separated paths (ctgraph/d2b2/img3/leaf10), so the patterns follow path
// globbing (line comments here: the patterns themselves contain the characters that would end
// a block comment):
//
//   *     any run of characters inside one segment (no "/"), possibly empty
//   ?     exactly one character other than "/"
//   **    a whole segment only: any number of segments ("a/**" is everything under a/)
//   other itself: the task-key characters A-Z a-z 0-9 . _ - and "/"
//
// A pattern matches the whole key: "ctgraph/**" every CT-graph task, "ctgraph/d2b2/*" nothing
// (CT-graph keys have four segments), "ctgraph/d2b2/*/*" every d2b2 task, "minigrid/*Crossing*/**"
// every crossing layout, "**" everything. Pure: no I/O.

/** Longest pattern accepted: a task key is at most 200 characters, a pattern a little more. */
export const MAX_TASK_GLOB_CHARS = 256
/** Wildcards per pattern at most: keeps matching linear enough on 200-character keys. */
export const MAX_TASK_GLOB_WILDCARDS = 16

const GLOB_CHARS = /^[A-Za-z0-9._\-/*?]+$/

/** A pattern that cannot be used; the message says why. */
export class TaskGlobError extends Error {
  constructor(
    readonly pattern: string,
    reason: string
  ) {
    super(`invalid task pattern ${JSON.stringify(pattern.slice(0, 80))}: ${reason}`)
    this.name = 'TaskGlobError'
  }
}

export interface TaskGlob {
  /** The pattern as written. */
  readonly pattern: string
  matches: (taskKey: string) => boolean
}

/** One segment's characters as a regular expression (`*` and `?` stay inside the segment). */
function segmentSource(segment: string): string {
  let out = ''
  for (const ch of segment) {
    if (ch === '*') out += '[^/]*'
    else if (ch === '?') out += '[^/]'
    else if (ch === '.' || ch === '-') out += `\\${ch}`
    else out += ch
  }
  return out
}

/** Parses a pattern; throws TaskGlobError for one that cannot be a task-key pattern. */
export function parseTaskGlob(pattern: string): TaskGlob {
  if (pattern.length === 0) throw new TaskGlobError(pattern, 'empty')
  if (pattern.length > MAX_TASK_GLOB_CHARS)
    throw new TaskGlobError(pattern, `longer than ${MAX_TASK_GLOB_CHARS} characters`)
  if (!GLOB_CHARS.test(pattern))
    throw new TaskGlobError(pattern, 'only task-key characters (A-Z a-z 0-9 . _ - /) and the wildcards * ? **')
  const segments = pattern.split('/')
  if (segments.some(s => s === '')) throw new TaskGlobError(pattern, 'empty segment (a leading, trailing or double /)')
  if ([...pattern].filter(c => c === '*' || c === '?').length > MAX_TASK_GLOB_WILDCARDS)
    throw new TaskGlobError(pattern, `more than ${MAX_TASK_GLOB_WILDCARDS} wildcards`)
  let source = ''
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1
    if (segment === '**') {
      // Any number of whole segments: followed by more of the pattern, zero or more "x/";
      // at the end, at least one segment (after the "/" the previous segment wrote).
      source += last ? '[^/]+(?:/[^/]+)*' : '(?:[^/]+/)*'
      return
    }
    if (segment.includes('**')) throw new TaskGlobError(pattern, '** must be a whole segment (a/**/b, not a**b)')
    source += segmentSource(segment) + (last ? '' : '/')
  })
  const re = new RegExp(`^${source}$`)
  return { pattern, matches: key => re.test(key) }
}

/** Whether any pattern matches the key (none: false). */
export function matchesAny(globs: readonly TaskGlob[], taskKey: string): boolean {
  return globs.some(g => g.matches(taskKey))
}
