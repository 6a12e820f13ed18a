/** NVML energy monitoring, time/energy profiles, the Perseus frontier, frequency plans and their controller. */
module io.github.alpa4j.energy {
    requires transitive io.github.alpa4j.cuda;
    requires org.jgrapht.core;
    requires commons.math3;
    requires com.fasterxml.jackson.databind;
    requires org.knowm.xchart;
    requires java.desktop;

    exports io.github.alpa4j.energy;
    exports io.github.alpa4j.energy.calibration;
    exports io.github.alpa4j.energy.cli;
    exports io.github.alpa4j.energy.control;
    exports io.github.alpa4j.energy.dag;
    exports io.github.alpa4j.energy.frontier;
    exports io.github.alpa4j.energy.model;
    exports io.github.alpa4j.energy.monitor;
    exports io.github.alpa4j.energy.plan;
    exports io.github.alpa4j.energy.profile;
}
