package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.control.FrequencyPlanCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of a valid input of every format the CLI reads (cluster JSON, graph JSON, plan
 * JSON, profile CSV, frequency-plan CSV, and the flags themselves), seeded: none may end in exit
 * code 1, a stack trace or a hang, and every refusal is one line naming the file (or, for flags, a flag).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES) // a hang guard only
class InputFuzzTest {
    /** Mutants per format; more with -Dalpa4j.fuzz.mutants=N. */
    static final int MUTANTS = Integer.getInteger("alpa4j.fuzz.mutants", 150);
    /** Added to every format's seed: -Dalpa4j.fuzz.seed=S explores other mutants (a failure names its seed). */
    static final long SEED = Long.getLong("alpa4j.fuzz.seed", 0);
    static final String[] SMALL_GPT = {"--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8", "--batch", "4"};
    static final String[] SMALL_MLP = {"--model", "mlp", "--depth", "2", "--width", "16", "--in-dim", "8", "--out-dim", "4", "--batch", "8"};

    @TempDir
    Path dir;

    private final List<String> problems = new ArrayList<>();
    /** Milliseconds each run took: the slowest are printed (a measure, not an assertion). */
    private final List<Map.Entry<Long, String>> slowest = new ArrayList<>();

    @AfterEach
    void printSlowest() {
        slowest.stream().sorted(Map.Entry.<Long, String>comparingByKey().reversed()).limit(3)
                .forEach(e -> System.out.println("slowest: " + e.getKey() + " ms " + clip(e.getValue())));
    }

    /** Runs {@code command(file)} on every mutant of {@code valid}; a refusal must name the file unless {@code excused} says why not. */
    private void fuzz(String name, String valid, long seed, Function<Path, String[]> command, BiPredicate<Path, MainTest.Run> excused)
            throws IOException {
        MainTest.Run ok = MainTest.run(command.apply(write(name, valid)));
        assertThat(ok.code()).as("the valid input runs: " + ok.err()).isIn(0, 2);
        Mutator m = new Mutator(seed + SEED);
        for (int i = 0; i < MUTANTS; i++) {
            String text = m.mutate(valid);
            Path file = write(i + "-" + name, text);
            check("mutant " + i + " of " + name + " (seed " + (seed + SEED) + ")", command.apply(file), file.getFileName().toString(),
                    r -> excused.test(file, r));
        }
        assertThat(problems).as(problems.size() + " problems").isEmpty();
    }

    private void check(String what, String[] args, String mustName, Predicate<MainTest.Run> excused) {
        long t0 = System.nanoTime();
        MainTest.Run r = MainTest.run(args);
        slowest.add(Map.entry((System.nanoTime() - t0) / 1_000_000, what));
        String err = r.err().strip();
        if (r.code() != 0 && r.code() != 2 && r.code() != 3 || err.contains("\tat ") || err.contains("Exception")
                || err.contains("internal error")) {
            problems.add(what + ": exit " + r.code() + ": " + clip(err));
        } else if (r.code() != 0 && (err.lines().count() != 1 || r.code() == 2 && !err.contains(mustName) && !excused.test(r))) {
            problems.add(what + ": exit " + r.code() + ", " + err.lines().count() + " lines, not naming " + mustName + ": " + clip(err));
        }
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 120) + "..." + s.substring(s.length() - 180) : s;
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static String[] args(String[] head, String... tail) {
        return MainTest.args(head, tail);
    }

    @Test
    void clusterJson() throws IOException {
        String valid = """
                {
                  "name": "fuzz",
                  "hosts": 1,
                  "gpus_per_host": 2,
                  "gpu": {
                    "name": "A100-SXM4-80GB",
                    "peak_tflops": {"f32": 19.5, "bf16": 312, "f16": 312},
                    "memory_gib": 80,
                    "memory_bandwidth_gb_s": 2039
                  },
                  "intra_host": {"latency_us": 5, "bandwidth_gb_s": 230},
                  "inter_host": {"latency_us": 10, "bandwidth_gb_s": 25}
                }
                """;
        fuzz("cluster.json", valid, 1, f -> args(args(new String[] {"plan"}, SMALL_MLP), "--mesh", "1x1", "--plan", "dp", "--cluster",
                f.toString()), (f, r) -> false);
    }

    @Test
    void graphJson() throws IOException {
        Path g = dir.resolve("exported.json");
        MainTest.Run export = MainTest.run(args(args(new String[] {"plan"}, SMALL_MLP), "--mesh", "1x1", "--plan", "dp", "--cluster",
                "dgx-a100", "--export-graph", g.toString()));
        assertThat(export.code()).as(export.err()).isZero();
        fuzz("graph.json", Files.readString(g), 2, f -> new String[] {"plan", "--graph", f.toString(), "--mesh", "1x1", "--plan", "dp",
            "--cluster", "dgx-a100"}, (f, r) -> false);
    }

    @Test
    void planJson() throws IOException {
        Path p = dir.resolve("made.json");
        MainTest.Run made = MainTest.run(args(args(new String[] {"plan"}, SMALL_GPT), "--mesh", "1x2", "--plan", "megatron", "--cluster",
                "dgx-a100", "--json", p.toString()));
        assertThat(made.code()).as(made.err()).isZero();
        fuzz("plan.json", Files.readString(p), 3, f -> args(args(new String[] {"train"}, SMALL_GPT), "--load-plan", f.toString(), "--steps",
                "1", "--no-progress", "--cluster", "dgx-a100"), (f, r) -> false);
    }

    @Test
    void profileCsv() throws IOException {
        String valid = Files.readAllLines(Path.of(MainTest.A100)).stream()
                .filter(l -> l.startsWith("stage") || l.startsWith("0,") || l.startsWith("1,")).collect(Collectors.joining("\n", "", "\n"));
        fuzz("profile.csv", valid, 4, f -> new String[] {"energy", "frontier", "--profile", f.toString(), "--stages", "2", "--microbatches",
            "3", "--rows", "2"}, (f, r) -> false);
    }

    @Test
    void frequencyPlanCsv() throws IOException {
        String valid = "instruction,frequency\n# stage 0 then stage 1\nF(0,0),1410\nF(1,0),1200\nB(1,0),1410\nB(0,0),1305\n";
        // a valid plan goes on to NVML, which a machine without the NVIDIA driver lacks: that refusal is not the file's
        fuzz("frequencies.csv", valid, 5, f -> new String[] {"energy", "clocks", "--plan", f.toString()},
                (f, r) -> r.err().contains("energy clocks needs NVML") && isFrequencyPlan(f));
    }

    private static boolean isFrequencyPlan(Path f) {
        try {
            FrequencyPlanCsv.read(f);
            return true;
        } catch (EnergyInputException e) {
            return false;
        }
    }

    @Test
    void flags() {
        String[][] valid = {
            args(args(new String[] {"train"}, SMALL_GPT), "--steps", "2", "--no-progress"),
            args(args(new String[] {"train"}, SMALL_MLP), "--mesh", "1x2", "--plan", "dp", "--steps", "1", "--no-progress", "--cluster",
                "dgx-a100", "--optimizer", "sgd", "--momentum", "0.5"),
            args(args(new String[] {"plan"}, SMALL_MLP), "--mesh", "1x2", "--plan", "dp", "--cluster", "dgx-a100"),
            {"energy", "frontier", "--profile", MainTest.A100, "--stages", "8", "--microbatches", "4", "--rows", "2"}};
        List<String> extra = List.of("--steps", "--layers", "--hidden", "--heads", "--seq", "--vocab", "--batch", "--lr", "--seed", "--mesh",
                "--hosts", "--memory-budget", "--microbatches", "--schedule", "--log-every", "--tau-ms", "--stages", "--p-blocking",
                "--checkpoint-every", "--divergence-factor", "--time-limit", "--width", "--depth", "--weight-decay");
        Mutator m = new Mutator(6 + SEED);
        for (int i = 0; i < MUTANTS * 2; i++) {
            List<String> a = new ArrayList<>(List.of(valid[i % valid.length]));
            int at = 1 + m.nextInt(a.size() - 1);
            // the flag whose value changes, and the value the refusal may quote instead of naming it
            String flag = a.get(at).startsWith("--") ? a.get(at) : a.get(at - 1);
            String value = "";
            switch (m.nextInt(4)) {
                case 0 -> a.set(at, value = m.pick(Mutator.AWKWARD_NUMBERS));
                case 1 -> a.remove(at);
                case 2 -> {
                    flag = m.pick(extra);
                    value = m.pick(Mutator.AWKWARD_NUMBERS);
                    a.addAll(at, List.of(flag, value));
                }
                default -> a.set(at, value = m.mutate(a.get(at)));
            }
            int steps = a.indexOf("--steps");
            if (steps >= 0 && steps + 1 < a.size() && !a.get(steps + 1).matches("-?[0-3]")) {
                continue; // a long run is no refusal to look at
            }
            String quoted = value.substring(0, Math.min(40, value.length()));
            check("flags mutant " + i + " (seed " + (6 + SEED) + ") " + clip(String.join(" ", a)), a.toArray(String[]::new), flag,
                    r -> r.err().contains("Unmatched argument") || r.err().contains("Missing required") || r.err().contains("Unknown option")
                            || quoted.length() >= 2 && r.err().contains(quoted));
        }
        assertThat(problems).as(problems.size() + " problems").isEmpty();
    }
}
