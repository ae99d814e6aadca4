/**
 * The Mapping tab: the table's mapping as the tool reads it (renames, local-only,
 * transforms, FKs, cursor, filter, policy) in its YAML form, and where it comes from:
 * the file's path, or the generated default when there is no file.
 */
import type { TableView } from '../../state/tui-snapshot.js';
import { useTheme } from '../../theme.js';
import { oneLine } from '../../format/text.js';
import { Placeholder, ScrollView, type ViewLine } from '../scroll-view.js';
import type { TabProps } from './schema-tab.js';

export function MappingTab({ table, focused, width, height }: TabProps) {
  const theme = useTheme();
  if (!table.mapping || table.mappingYaml === null) {
    return <Placeholder text={`no mapping for ${table.name}: verify or map the pair first`} width={width} height={height} />;
  }
  const lines: ViewLine[] = [{ segments: [{ text: 'source: ', style: theme.style('muted') }, { text: sourceText(table), style: theme.heading() }] }];
  for (const raw of table.mappingYaml.replace(/\n$/, '').split('\n')) {
    const text = oneLine(raw);
    lines.push({ segments: [{ text, ...(text.trimStart().startsWith('#') ? { style: theme.style('muted') } : {}) }] });
  }
  return <ScrollView lines={lines} focused={focused} width={width} height={height} />;
}

export function sourceText(table: TableView): string {
  const source = table.mapping?.source;
  if (!source) return 'none';
  return source.kind === 'file' ? source.path : 'generated default (no mapping file; `replicate map` writes one)';
}
