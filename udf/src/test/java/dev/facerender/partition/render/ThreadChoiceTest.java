package dev.facerender.partition.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A task takes the threads it is offered unless a batch measured fewer to be faster: the last task
 * of a run, offered every core, keeps one thread for a network that two slow down, and takes two
 * for one they speed up.
 */
class ThreadChoiceTest {
  private static final long MS = 1_000_000;

  @Test
  void aCountNotMeasuredYetIsTried() {
    ThreadChoice choice = new ThreadChoice();
    assertThat(choice.choose(1)).isEqualTo(1);
    choice.record(1, 2, 420 * MS);
    assertThat(choice.choose(2)).as("two offered, never measured").isEqualTo(2);
  }

  @Test
  void moreThreadsThatRenderSlowerAreGivenBack() {
    ThreadChoice choice = new ThreadChoice();
    choice.record(1, 1, 210 * MS);
    choice.record(1, 1, 215 * MS);
    choice.record(2, 1, 290 * MS);
    assertThat(choice.choose(2)).isEqualTo(1);
    // Later batches on one thread keep their figure current; two stay measured slower.
    choice.record(1, 1, 230 * MS);
    assertThat(choice.choose(2)).isEqualTo(1);
  }

  @Test
  void moreThreadsThatRenderFasterAreKept() {
    ThreadChoice choice = new ThreadChoice();
    choice.record(1, 1, 10_400 * MS);
    choice.record(2, 1, 5_600 * MS);
    assertThat(choice.choose(2)).isEqualTo(2);
  }

  @Test
  void neverMoreThanOffered() {
    ThreadChoice choice = new ThreadChoice();
    choice.record(2, 4, 400 * MS);
    choice.record(1, 4, 900 * MS);
    assertThat(choice.choose(1)).as("another task started: one core each").isEqualTo(1);
    assertThat(choice.choose(2)).isEqualTo(2);
  }

  @Test
  void aFigureFollowsTheNewerBatches() {
    ThreadChoice choice = new ThreadChoice();
    choice.record(1, 1, 200 * MS);
    // Two threads' first batch was slow (a new clip's source encoded in it), the next ones fast.
    choice.record(2, 1, 400 * MS);
    assertThat(choice.choose(2)).isEqualTo(1);
    choice.record(2, 1, 100 * MS);
    choice.record(2, 1, 100 * MS);
    assertThat(choice.choose(2)).isEqualTo(2);
  }
}
