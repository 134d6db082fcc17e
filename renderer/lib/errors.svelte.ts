/** The error banner: one message with the next step to take. */
export class ErrorBanner {
  message = $state<string | null>(null);

  show(err: unknown): void {
    this.message = err instanceof Error ? err.message : String(err);
  }

  clear(): void {
    this.message = null;
  }

  /** Run an async action; any error lands in the banner. */
  async guard<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      this.clear();
      return await action();
    } catch (err) {
      this.show(err);
      return undefined;
    }
  }
}
