/**
 * Semantic colours for the TUI, and whether to use colour at all. Components ask for a
 * role ('error', 'selection') instead of naming a colour, so NO_COLOR and plain terminals
 * are handled in one place. Without colour every style below is empty: selection is
 * then shown by the cursor mark (›) and badges by their symbols, so nothing a user needs
 * depends on colour (https://no-color.org).
 */
import { createContext, useContext } from 'react';

export type ColorRole = 'error' | 'warning' | 'info' | 'ok' | 'running' | 'muted' | 'accent' | 'selection';

/** The subset of Ink's <Text> props a theme sets; spread onto a <Text>. */
export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

export interface Theme {
  colorsEnabled: boolean;
  /** style for a role; {} without colour */
  style(role: ColorRole): TextStyle;
  /** style of the selected row: inverse (focused) or bold (unfocused); {} without colour */
  selected(focused: boolean): TextStyle;
  /** a heading or active tab: bold accent; {} without colour */
  heading(): TextStyle;
}

const COLORS: Record<ColorRole, TextStyle> = {
  error: { color: 'red' },
  warning: { color: 'yellow' },
  info: { color: 'cyan' },
  ok: { color: 'green' },
  running: { color: 'blue' },
  muted: { color: 'gray' },
  accent: { color: 'magenta' },
  selection: { inverse: true },
};

/** The marker drawn in front of the selected row, in colour or not. */
export const CURSOR = '›';

export interface ColorStream {
  isTTY?: boolean;
  hasColors?: () => boolean;
}

/**
 * Colour is off when NO_COLOR is set to anything non-empty, on when FORCE_COLOR asks for it,
 * and otherwise on only for a terminal that says it has colours.
 */
export function detectColors(env: NodeJS.ProcessEnv = process.env, stream: ColorStream = process.stdout): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (stream.isTTY !== true) return false;
  return stream.hasColors ? stream.hasColors() : true;
}

export function createTheme(colorsEnabled: boolean): Theme {
  return {
    colorsEnabled,
    style: (role) => (colorsEnabled ? COLORS[role] : {}),
    selected: (focused) => (colorsEnabled ? (focused ? { inverse: true } : { bold: true }) : {}),
    heading: () => (colorsEnabled ? { bold: true, color: 'magenta' } : {}),
  };
}

/** Colour for a severity or a log level, as the role that shows it. */
export function severityRole(severity: 'error' | 'warning' | 'warn' | 'info'): ColorRole {
  return severity === 'error' ? 'error' : severity === 'info' ? 'info' : 'warning';
}

/** The app provides a theme made once at start-up; tests render with createTheme(true|false). */
export const ThemeContext = createContext<Theme>(createTheme(detectColors()));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
