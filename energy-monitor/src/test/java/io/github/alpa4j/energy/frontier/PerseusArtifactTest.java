package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.PerseusData;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The frontier on the Perseus authors' A100 profile against their own solver's output. */
class PerseusArtifactTest {

    @Test
    void a100TwelveMicrobatchesReproducesTheAuthorsFrontier() throws IOException {
        FittedProfile fitted = FittedProfile.fit(PerseusData.profile(PerseusData.A100), 1e-3,
                PerseusData.A100_BLOCKING_WATTS);
        Frontier frontier = PhillipsDessouky.frontier(PipelineDag.build(8, 12, PipelineSchedule.ONE_F_ONE_B), fitted);

        Map<Long, Double> theirs = authorsFrontier();
        assertThat(frontier.fastest().timeSeconds()).isEqualTo(2.818);
        long theirSlowest = theirs.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(frontier.slowest().quanta()).as("our slowest is the least-energy point; theirs is one step after it")
                .isBetween(theirSlowest, theirSlowest + 1);
        // Their file records each step of their solver, from 3.456 s to 2.818 s.
        assertThat(theirs).hasSize(639);
        List<FrontierPoint> ours = frontier.points();
        for (FrontierPoint p : ours) {
            if (theirs.containsKey(p.quanta())) {
                assertThat(p.energyJoules()).as("energy at %d ms", p.quanta())
                        .isCloseTo(theirs.get(p.quanta()), within(1e-3));
            }
        }
    }

    private static Map<Long, Double> authorsFrontier() throws IOException {
        Map<Long, Double> energyByQuanta = new HashMap<>();
        try (Reader reader = PerseusData.reader(PerseusData.A100_FRONTIER_MB12);
             BufferedReader lines = new BufferedReader(reader)) {
            lines.readLine();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] f = line.split(",");
                energyByQuanta.put(Math.round(Double.parseDouble(f[0]) * 1e3), Double.parseDouble(f[1]));
            }
        }
        return energyByQuanta;
    }
}
