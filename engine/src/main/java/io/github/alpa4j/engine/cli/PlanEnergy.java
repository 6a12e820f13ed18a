package io.github.alpa4j.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.energy.cli.FrontierReport;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.plan.CandidateFrontier;
import io.github.alpa4j.energy.plan.EnergyObjective;
import io.github.alpa4j.energy.plan.PipelineCandidate;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.engine.energy.PipelineEnergyModel;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Locale;

/**
 * What {@code plan --pipeline} says about energy: every candidate pipeline's frontier on the energy model
 * of its stages, the plan and clocks the objective chooses, and beside it Perseus applied to the
 * time-optimal plan alone within the same slowdown.
 *
 * @param plans the candidates, the time-optimal plan first
 * @param choice the objective's choice among all of them
 * @param timeOptimalAlone the choice among the time-optimal plan's own frontier points, within (1 + S) of its own fastest
 */
record PlanEnergy(String objective, GpuSpec gpu, double tauSeconds, List<PipelinePlan> plans, EnergyObjective.Choice choice,
                  EnergyObjective.Choice timeOptimalAlone) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Solves every candidate's frontier (one quantum for all, the finest any of them needs) and chooses.
     * Candidates too large for the frontier solver are left out; the time-optimal one (the first) must fit.
     */
    static PlanEnergy of(String objective, List<PipelinePlan> all, GpuSpec gpu, double tokensPerIteration, double maxSlowdown) {
        return of(objective, all, gpu, tokensPerIteration, maxSlowdown, null);
    }

    /**
     * As above, with {@code measured} (a Perseus profile CSV, {@code energy profile -o}) in place of the model for every
     * candidate of its stage count and the time-optimal plan's microbatch count (the pipeline {@code energy profile} runs
     * for the same flags); those are solved at a quantum of their own measured times (a fiftieth of the shortest), since
     * measured and modelled times may differ in scale. Null: the model for all.
     */
    static PlanEnergy of(String objective, List<PipelinePlan> all, GpuSpec gpu, double tokensPerIteration, double maxSlowdown,
                         io.github.alpa4j.energy.profile.Profile measured) {
        if (measured != null && measured.stageCount() != all.get(0).stages().size()) {
            throw new UserInputException("--profile measures " + measured.stageCount() + " stages, the time-optimal pipeline has "
                    + all.get(0).stages().size() + ": measure it with 'energy profile' and the same model, cluster and pipeline flags");
        }
        if (computations(all.get(0)) > FrontierReport.MAX_COMPUTATIONS) {
            throw new UserInputException(String.format(Locale.ROOT, "the time-optimal pipeline has %d stages x %d microbatches = %,d computations;"
                    + " the energy frontier is solved for at most %,d: give --microbatches with fewer", all.get(0).stages().size(),
                    all.get(0).microbatches(), computations(all.get(0)), FrontierReport.MAX_COMPUTATIONS));
        }
        List<PipelinePlan> plans = all.stream().filter(p -> computations(p) <= FrontierReport.MAX_COMPUTATIONS).toList();
        double tau = plans.stream().mapToDouble(PipelineEnergyModel::quantumSeconds).min().orElseThrow();
        List<CandidateFrontier> frontiers = new ArrayList<>();
        int profiledMicrobatches = all.get(0).microbatches();
        for (PipelinePlan p : plans) {
            PipelineCandidate c = PipelineEnergyModel.candidate(p, gpu, tokensPerIteration);
            if (measured != null && p.stages().size() == measured.stageCount() && p.microbatches() == profiledMicrobatches) {
                c = new PipelineCandidate(c.name() + " [measured]", measured, c.devicesPerStage(), c.microbatches(), c.schedule(),
                        c.updateSeconds(), c.updateJoules(), c.tokensPerIteration());
                frontiers.add(CandidateFrontier.solve(c, measuredQuantum(measured), gpu.staticWatts(), Dominance.EFFECTIVE_ENERGY));
            } else {
                frontiers.add(CandidateFrontier.solve(c, tau, gpu.staticWatts(), Dominance.EFFECTIVE_ENERGY));
            }
        }
        EnergyObjective.Choice choice = EnergyObjective.choose(frontiers, maxSlowdown);
        EnergyObjective.Choice alone = EnergyObjective.choose(frontiers.subList(0, 1), maxSlowdown);
        return new PlanEnergy(objective, gpu, tau, plans, choice, alone);
    }

    /** A fiftieth of the profile's shortest computation at its highest clock. */
    private static double measuredQuantum(io.github.alpa4j.energy.profile.Profile p) {
        double shortest = Double.POSITIVE_INFINITY;
        for (int s = 0; s < p.stageCount(); s++) {
            for (io.github.alpa4j.energy.profile.Instruction i : io.github.alpa4j.energy.profile.Instruction.values()) {
                shortest = Math.min(shortest, p.atMaximumFrequency(s, i).timeSeconds());
            }
        }
        return shortest / 50;
    }

    /** Forward and backward of every stage and microbatch: the nodes of the plan's Perseus DAG. */
    static long computations(PipelinePlan p) {
        return 2L * p.stages().size() * p.microbatches();
    }

    /** The plan the objective chose. */
    PipelinePlan chosenPlan() {
        return plans.get(choice.chosen().candidate());
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%nenergy (DVFS model of %s, P_block %.1f W, quantum %.3g ms; objective %s, max slowdown %.1f %%)%n",
                gpu.name(), gpu.staticWatts(), tauSeconds * 1e3, objective, 100 * choice.maxSlowdown()));
        b.append(String.format(Locale.ROOT, "  %-44s %12s %16s %18s%n", "candidate", "fastest", "J/iter max clock", "least J/iter bound"));
        double bound = choice.boundSeconds() + 1e-9;
        for (int i = 0; i < choice.frontiers().size(); i++) {
            CandidateFrontier f = choice.frontiers().get(i);
            double least = EnergyObjective.options(f, i).stream().filter(o -> o.seconds() <= bound)
                    .mapToDouble(EnergyObjective.Option::joules).min().orElse(Double.NaN);
            b.append(String.format(Locale.ROOT, "%s %-44s %12s %16.4g %18s%n", i == choice.chosen().candidate() ? "*" : " ",
                    f.candidate().name(), Units.seconds(f.fastestSeconds()), f.baselineJoules(),
                    Double.isNaN(least) ? "too slow" : String.format(Locale.ROOT, "%.4g", least)));
        }
        EnergyObjective.Option o = choice.chosen();
        b.append(String.format(Locale.ROOT, "chosen: %s, %s per iteration (%+.2f %% on the fastest), %.4g J per iteration%s;"
                        + " %.2f %% less than its clocks at maximum%n", choice.chosenFrontier().candidate().name(), Units.seconds(o.seconds()),
                100 * (o.seconds() / choice.fastestSeconds() - 1), o.joules(), tokens(choice), choice.savingPercent()));
        EnergyObjective.Option a = timeOptimalAlone.chosen();
        b.append(String.format(Locale.ROOT, "time-optimal plan alone (Perseus on it, same slowdown): %s, %.4g J per iteration%s%n",
                Units.seconds(a.seconds()), a.joules(), tokens(timeOptimalAlone)));
        List<FrequencyPlan> clocks = choice.frequencyPlans();
        for (int s = 0; s < clocks.size(); s++) {
            b.append(String.format(Locale.ROOT, "  stage %d: forward %s MHz, backward %s MHz%n", s, range(clocks.get(s), "F"), range(clocks.get(s), "B")));
        }
        return b.toString();
    }

    private static String tokens(EnergyObjective.Choice c) {
        return c.chosenFrontier().candidate().tokensPerIteration() > 0 ? String.format(Locale.ROOT, ", %.3f tokens/J", c.tokensPerJoule()) : "";
    }

    private static String range(FrequencyPlan p, String prefix) {
        IntSummaryStatistics st = p.steps().stream().filter(s -> s.instruction().startsWith(prefix)).mapToInt(FrequencyPlan.Step::mhz).summaryStatistics();
        return st.getMin() == st.getMax() ? Integer.toString(st.getMin()) : st.getMin() + "-" + st.getMax();
    }

    /** The {@code energy} object of the plan JSON (docs/pipeline-json.md). */
    ObjectNode json() {
        ObjectNode e = MAPPER.createObjectNode();
        e.put("objective", objective);
        e.put("max_slowdown", choice.maxSlowdown());
        e.put("gpu", gpu.name());
        e.put("gpu_basis", gpu.basis());
        e.put("blocking_watts", gpu.staticWatts());
        e.put("tau_seconds", tauSeconds);
        e.put("fastest_seconds", choice.fastestSeconds());
        EnergyObjective.Option o = choice.chosen();
        e.put("iteration_seconds", o.seconds());
        e.put("joules_per_iteration", o.joules());
        e.put("max_clock_joules_per_iteration", choice.chosenFrontier().baselineJoules());
        e.put("saving_percent", choice.savingPercent());
        if (choice.chosenFrontier().candidate().tokensPerIteration() > 0) {
            e.put("tokens_per_iteration", choice.chosenFrontier().candidate().tokensPerIteration());
            e.put("tokens_per_joule", choice.tokensPerJoule());
        }
        e.put("at_maximum_frequency", o.atMaximumFrequency());
        ObjectNode alone = e.putObject("time_optimal_alone");
        alone.put("iteration_seconds", timeOptimalAlone.chosen().seconds());
        alone.put("joules_per_iteration", timeOptimalAlone.chosen().joules());
        alone.put("max_clock_joules_per_iteration", timeOptimalAlone.chosenFrontier().baselineJoules());
        ArrayNode cands = e.putArray("candidates");
        for (int i = 0; i < choice.frontiers().size(); i++) {
            CandidateFrontier f = choice.frontiers().get(i);
            ObjectNode c = cands.addObject();
            c.put("name", f.candidate().name());
            c.put("stages", f.candidate().stageCount());
            c.put("microbatches", f.candidate().microbatches());
            c.put("fastest_seconds", f.fastestSeconds());
            c.put("max_clock_joules_per_iteration", f.baselineJoules());
            c.put("chosen", i == o.candidate());
        }
        ArrayNode stages = e.putArray("frequency_plan");
        List<FrequencyPlan> clocks = choice.frequencyPlans();
        for (int s = 0; s < clocks.size(); s++) {
            ObjectNode st = stages.addObject();
            st.put("stage", s);
            ArrayNode steps = st.putArray("steps");
            for (FrequencyPlan.Step step : clocks.get(s).steps()) {
                steps.addObject().put("instruction", step.instruction()).put("mhz", step.mhz());
            }
        }
        return e;
    }

    /** The plan JSON with the energy object added. */
    String planJson(PipelinePlan plan) {
        ObjectNode root = io.github.alpa4j.planner.stage.PipelineJson.tree(plan);
        root.set("energy", json());
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
