import { Result } from 'antd';
import { Component, type ReactNode } from 'react';

/** Keeps a designer's crash from taking the page (and the definition in the store) with it. */
export class ErrorBoundary extends Component<
  { children: ReactNode; fallbackTitle: string },
  { error: Error | null }
> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return <Result status="error" title={this.props.fallbackTitle} subTitle={this.state.error.message} />;
    }
    return this.props.children;
  }
}
