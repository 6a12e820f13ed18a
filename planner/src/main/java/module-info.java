/** The graph IR and autodiff; clusters, sharding, the cost model, the intra-op ILP and the stage DP; plans. */
module io.github.alpa4j.planner {
    requires ortools.java;
    requires com.google.protobuf;
    requires com.sun.jna; // loads OR-Tools' natives from the unpacked cache
    requires com.fasterxml.jackson.databind;

    exports io.github.alpa4j.ir;
    exports io.github.alpa4j.ir.autodiff;
    exports io.github.alpa4j.ir.eval; // the float64 reference other modules check their kernels and gradients against
    exports io.github.alpa4j.ir.json;
    exports io.github.alpa4j.planner;
    exports io.github.alpa4j.planner.cluster;
    exports io.github.alpa4j.planner.cost;
    exports io.github.alpa4j.planner.plan;
    exports io.github.alpa4j.planner.sharding;
    exports io.github.alpa4j.planner.stage;
    exports io.github.alpa4j.planner.strategy;
}
