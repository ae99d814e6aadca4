/** What a pull that reads again below its checkpoint says (events.ts, table-start's `rewound`). */
export function rewoundText(table: string, rewound: { to: string | null }): string {
  const from = rewound.to === null ? 'from the start' : `from ${rewound.to}`;
  return `${table}: reading again ${from}: other terminals pushed rows stamped below this pull's checkpoint`;
}
