/** A reactive value for tests of state classes whose sources are getters ($state outside a component). */
export class Box<T> {
  value = $state<T>() as T;
  constructor(initial: T) {
    this.value = initial;
  }
}
