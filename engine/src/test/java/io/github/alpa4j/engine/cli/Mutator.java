package io.github.alpa4j.engine.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Random mutations of a valid input's text, seeded: what a typo, a bad edit, a truncated copy or a
 * hostile file does to it. One to three edits per mutant: cut it short, delete or repeat a span,
 * insert punctuation, swap, drop or repeat a line, replace a number with an awkward one, a word with
 * another from the text, or either with a very long one.
 */
final class Mutator {
    /** Numbers that break naive readers: zero, negatives, int and long edges, huge, tiny, NaN, fractions. */
    static final List<String> AWKWARD_NUMBERS = List.of("0", "-1", "-0", "1", "2", "3", "0.5", "1.5", "7", "65536", "1000000000",
            "2147483647", "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999", "1e308", "-1e308", "1e-320",
            "NaN", "Infinity", "1e9", "0x10", "");
    private static final String PUNCTUATION = "{}[],:\"'-+.eE0123456789 \n\t\\/#";
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z_0-9/.-]*");

    private final SplittableRandom random;

    Mutator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    String mutate(String text) {
        String s = text;
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            s = edit(s);
        }
        return s;
    }

    private String edit(String s) {
        if (s.isEmpty()) {
            return pick(AWKWARD_NUMBERS);
        }
        int a = random.nextInt(s.length());
        int b = Math.min(s.length(), a + 1 + random.nextInt(Math.max(1, Math.min(40, s.length() - a))));
        return switch (random.nextInt(9)) {
            case 0 -> s.substring(0, a);                                      // cut short
            case 1 -> s.substring(0, a) + s.substring(b);                     // a span deleted
            case 2 -> s.substring(0, b) + s.substring(a, b) + s.substring(b); // a span repeated
            case 3 -> s.substring(0, a) + PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length())) + s.substring(a);
            case 4 -> lines(s);
            case 6 -> replace(s, WORD, words(s));
            case 7 -> replace(s, random.nextBoolean() ? NUMBER : WORD, List.of("9".repeat(100_000), "x".repeat(100_000)));
            default -> replace(s, NUMBER, AWKWARD_NUMBERS);
        };
    }

    /** Swaps two lines, or drops one, or repeats one. */
    private String lines(String s) {
        List<String> l = new ArrayList<>(List.of(s.split("\n", -1)));
        int i = random.nextInt(l.size());
        int j = random.nextInt(l.size());
        switch (random.nextInt(3)) {
            case 0 -> {
                String t = l.get(i);
                l.set(i, l.get(j));
                l.set(j, t);
            }
            case 1 -> l.remove(i);
            default -> l.add(j, l.get(i));
        }
        return String.join("\n", l);
    }

    private String replace(String s, Pattern p, List<String> with) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty() || with.isEmpty()) {
            return s;
        }
        int[] span = spans.get(random.nextInt(spans.size()));
        return s.substring(0, span[0]) + pick(with) + s.substring(span[1]);
    }

    private List<String> words(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(s);
        while (m.find() && out.size() < 2000) {
            out.add(m.group());
        }
        return out;
    }

    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
