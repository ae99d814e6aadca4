/**
 * A yes/no question (quitting while a run is going). y, Enter or Ctrl+C confirms; n or Esc cancels.
 * While the answer is being acted on (the run finishing its batch) it says so.
 */
import { Box, Text } from 'ink';
import { useStableInput } from '../shell/use-stable-input.js';
import { useTheme } from '../theme.js';
import { truncate } from '../format/text.js';

export interface ConfirmProps {
  question: string;
  detail?: string;
  width: number;
  /** the answer was given and is being carried out: keys are ignored */
  pending?: string | null;
  onAnswer(yes: boolean): void;
}

export function Confirm({ question, detail, width, pending = null, onAnswer }: ConfirmProps) {
  const theme = useTheme();
  useStableInput(
    (input, key) => {
      // a second Ctrl+C means yes, as in the plain `run`
      if (input === 'y' || input === 'Y' || key.return || (key.ctrl && input === 'c')) onAnswer(true);
      else if (input === 'n' || input === 'N' || key.escape) onAnswer(false);
    },
    pending === null,
  );
  const inner = Math.max(10, width - 4);
  return (
    <Box flexDirection="column" borderStyle="round" width={width} paddingX={1} {...(theme.colorsEnabled ? { borderColor: 'yellow' } : {})}>
      <Text wrap="truncate-end" bold>
        {truncate(question, inner)}
      </Text>
      {detail ? (
        <Text wrap="truncate-end" {...theme.style('muted')}>
          {truncate(detail, inner)}
        </Text>
      ) : null}
      <Text wrap="truncate-end" {...theme.style(pending ? 'running' : 'warning')}>
        {truncate(pending ?? 'y / Ctrl+C: yes   n / Esc: no', inner)}
      </Text>
    </Box>
  );
}
