package io.github.alpa4j.engine.profile;

import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.CpuCollectives;
import io.github.alpa4j.engine.collective.CudaCollectives;
import io.github.alpa4j.engine.collective.DeviceStream;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.CpuBackend;
import io.github.alpa4j.engine.runtime.CudaBackend;
import io.github.alpa4j.engine.runtime.GpuContext;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import java.util.ArrayList;
import java.util.List;

/** The devices a profile runs on: simulated CPU devices, or logical devices sharing GPU 0. */
public final class Benches {
    private Benches() {
    }

    public static DeviceBench<float[], int[]> cpu(MeshGroups mesh, double minSeconds) {
        List<CpuBackend> devices = new ArrayList<>();
        for (int d = 0; d < mesh.devices(); d++) {
            devices.add(new CpuBackend("cpu" + d));
        }
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        int opBusy = Math.min(cores, mesh.devices());
        return new DeviceBench<>(devices, new CpuCollectives(600), mesh, minSeconds, List.copyOf(devices), opBusy)
                .withPrograms(ops -> DispatchBench.stepSeconds(ops, opBusy));
    }

    public static DeviceBench<DeviceBuffer, DeviceBuffer> cuda(MeshGroups mesh, MatmulPrecision precision, double minSeconds) {
        Backends.requireGpu();
        GpuContext gpu;
        try {
            gpu = GpuContext.open(0);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--backend cuda: " + e.getMessage(), e);
        }
        List<CudaBackend> devices = new ArrayList<>();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            List<CudaCollectives.Member> members = new ArrayList<>();
            for (int d = 0; d < mesh.devices(); d++) {
                CudaBackend b = CudaBackend.open(gpu, "cuda0/" + d, precision);
                devices.add(b);
                members.add(new CudaCollectives.Member(DeviceStream.of(b.stream()), b.pool(), b.kernels()));
            }
            CudaCollectives links = new CudaCollectives(members);
            owned.addAll(devices);
            owned.add(links);
            owned.add(gpu);
            return new DeviceBench<>(devices, links, mesh, minSeconds, owned);
        } catch (RuntimeException e) {
            devices.forEach(CudaBackend::close);
            gpu.close();
            throw e;
        }
    }
}
