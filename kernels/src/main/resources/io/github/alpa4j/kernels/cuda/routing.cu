// GShard's top-2 gating (the CPU twin is CpuRouting.java): one thread per group of S tokens, since
// a token's slot in its expert's buffer counts the earlier tokens of its group, a sequential scan.
// what: 0 dispatch mask [G,S,E,C], 1 combine weights [G,S,E,C], 2 d gates of combine [G,S,E],
// 3 one-hot of the first choice [G,S,E]. The output is zeroed by the caller; `scratch` holds 2E ints
// per group (the experts' running counts).
#include "common.cuh"

__device__ static int routing_argmax(const float* x, int n, int skip) {
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (i != skip && (best < 0 || x[i] > x[best])) {
            best = i;
        }
    }
    return best;
}

extern "C" __global__ void
top2_routing_f32(const float* gates, const float* dcombine, float* out, int* scratch, i64 groups, int s, int e, int c,
                 int what) {
    for (i64 g = (i64)blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += (i64)gridDim.x * blockDim.x) {
        const float* gg = gates + g * s * e;
        if (what == 3) {
            for (int t = 0; t < s; t++) {
                out[(g * s + t) * e + routing_argmax(gg + (i64)t * e, e, -1)] = 1.0f;
            }
            continue;
        }
        int* first = scratch + g * 2 * e;  // running count of first choices per expert
        int* load = first + e;              // kept first choices, then the running count of second ones
        for (int x = 0; x < e; x++) {
            first[x] = 0;
            load[x] = 0;
        }
        // every first choice of the group queues before any second choice
        for (int t = 0; t < s; t++) {
            load[routing_argmax(gg + (i64)t * e, e, -1)]++;
        }
        for (int x = 0; x < e; x++) {
            load[x] = load[x] < c ? load[x] : c;
        }
        for (int t = 0; t < s; t++) {
            const float* row = gg + (i64)t * e;
            const int i1 = routing_argmax(row, e, -1);
            const int i2 = routing_argmax(row, e, i1);
            const int p1 = first[i1]++;
            const int p2 = load[i2]++;
            const bool k1 = p1 < c;
            const bool k2 = p2 < c;
            const float g1 = k1 ? row[i1] : 0.0f;
            const float g2 = k2 ? row[i2] : 0.0f;
            const float d = g1 + g2 > 0.0f ? g1 + g2 : 1.0f;
            const i64 r = (g * s + t) * e;
            const i64 slot1 = (r + i1) * c + p1;
            const i64 slot2 = (r + i2) * c + p2;
            if (what == 0 || what == 1) {
                if (k1) {
                    out[slot1] = what == 1 ? g1 / d : 1.0f;
                }
                if (k2) {
                    out[slot2] = what == 1 ? g2 / d : 1.0f;
                }
            } else {
                const float u1 = k1 ? dcombine[slot1] : 0.0f;
                const float u2 = k2 ? dcombine[slot2] : 0.0f;
                if (k1) {
                    out[r + i1] = (u1 - u2) * g2 / (d * d);
                }
                if (k2) {
                    out[r + i2] = (u2 - u1) * g1 / (d * d);
                }
            }
        }
    }
}
