/**
 * Shows an error the way the engine reported it: its stable code and its
 * own message (never a generic "something went wrong"), plus any details.
 */
import type { ReactNode } from 'react';
import { toErrorShape } from '../../../preload/errors';

export interface ErrorViewProps {
  error: unknown;
  /** What was being attempted, e.g. "Could not read system facts". */
  title?: string;
  onRetry?: () => void;
  compact?: boolean;
}

function detailText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function ErrorView({ error, title, onRetry, compact }: ErrorViewProps): ReactNode {
  const shape = toErrorShape(error);
  const details = shape.details ? Object.entries(shape.details) : [];
  if (compact) {
    return (
      <span className="error-inline">
        <code className="error-code">{shape.code}</code> {shape.message}
      </span>
    );
  }
  return (
    <div className="error-view" role="alert">
      {title && <p className="error-title">{title}</p>}
      <p className="error-line">
        <code className="error-code" data-testid="error-code">
          {shape.code}
        </code>
        <span className="error-message" data-testid="error-message">
          {shape.message}
        </span>
      </p>
      {details.length > 0 && (
        <dl className="error-details">
          {details.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{detailText(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
