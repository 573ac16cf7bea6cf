/** Catches render errors of a subtree and shows them with ErrorView. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorView } from './ErrorView';

interface Props {
  children?: ReactNode;
  title?: string;
}

interface State {
  error: unknown;
  failed: boolean;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, failed: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('berth: render error', error, info.componentStack);
  }

  private readonly reset = (): void => this.setState({ error: null, failed: false });

  override render(): ReactNode {
    if (this.state.failed) {
      return (
        <ErrorView
          error={this.state.error}
          title={this.props.title ?? 'This view failed to render'}
          onRetry={this.reset}
        />
      );
    }
    return this.props.children;
  }
}
