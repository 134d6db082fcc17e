/** The error banner: one message with the next step to take. */
export class ErrorBanner {
  message = $state<string | null>(null);

  show(err: unknown): void {
    this.message = err instanceof Error ? err.message : String(err);
  }

  clear(): void {
    this.message = null;
  }

  /**
   * Run an async action; any error lands in the banner. A user's action clears the previous
   * message first; a background refresh (`keep`) leaves it, so it cannot wipe a failure just shown.
   */
  async guard<T>(action: () => Promise<T>, options: { keep?: boolean } = {}): Promise<T | undefined> {
    try {
      if (!options.keep) this.clear();
      return await action();
    } catch (err) {
      this.show(err);
      return undefined;
    }
  }
}
