package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import io.github.alpa4j.energy.model.StageWork;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.engine.energy.StageWorkEstimate;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.List;

/** A predicted profile for {@code energy frontier --model}: the model's stages on the cluster's GPU. */
record ModelProfile(Profile profile, GpuSpec gpu, String description) {

    /** {@code gpuName}: a GPU preset or file for the energy model; null takes the cluster's GPU preset. */
    static ModelProfile of(ModelOptions model, String clusterName, Integer hosts, String meshShape, int stages, int microbatches,
            String gpuName) {
        Cluster cluster = Clusters.resolve(clusterName, hosts);
        int devices = meshShape != null ? DeviceMesh.parse(cluster, meshShape).deviceCount() : stages;
        if (devices % stages != 0) {
            throw new EnergyInputException("the mesh's " + devices + " devices do not split evenly over " + stages + " stages");
        }
        int batch = model.batchSize();
        if (microbatches < 1 || batch % microbatches != 0) {
            throw new EnergyInputException("--microbatches (" + microbatches + ") must divide the batch (" + batch + ")");
        }
        Model m = model.build(batch / microbatches);
        GpuSpec gpu = gpuName != null ? GpuSpecJson.resolve(gpuName) : energySpec(cluster);
        List<StageWork> work = StageWorkEstimate.of(m.forward(), stages, devices / stages);
        Profile p = DvfsEnergyModel.profile(gpu, work);
        String what = String.format("energy model: %s, %d stages x %d GPU%s of %s, microbatch %d", m.name(), stages, devices / stages,
                devices / stages == 1 ? "" : "s", gpu.name(), batch / microbatches);
        return new ModelProfile(p, gpu, what);
    }

    /** A fiftieth of the shortest computation at the highest clock, so every stage has room to slow down. */
    double suggestedQuantumSeconds() {
        double shortest = Double.POSITIVE_INFINITY;
        for (int s = 0; s < profile.stageCount(); s++) {
            for (Instruction i : Instruction.values()) {
                shortest = Math.min(shortest, profile.atMaximumFrequency(s, i).timeSeconds());
            }
        }
        return shortest / 50;
    }

    /** The energy model's description of the cluster's GPU. */
    static GpuSpec energySpec(Cluster c) {
        String name = c.gpu().name();
        if (name.startsWith("H100")) {
            return GpuSpec.h100Sxm();
        }
        if (name.startsWith("A100")) {
            return GpuSpec.a100Sxm();
        }
        if (name.startsWith("V100")) {
            return GpuSpec.v100Sxm();
        }
        if (name.startsWith("A40")) {
            return GpuSpec.a40();
        }
        throw new EnergyInputException("the energy model knows no GPU like '" + name + "' (cluster " + c.name()
                + "); use --cluster p3.16xlarge, dgx-a100, hgx-h100 or h100, give --gpu a100|a40|h100|v100|FILE.json, or measure a --profile");
    }
}
