package io.incomeplatform.dashboard.service;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A synchronized map keeping at most {@code capacity} entries, dropping the least recently used first. */
public final class LruMap {

    private LruMap() {
    }

    public static <K, V> Map<K, V> withCapacity(int capacity) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        });
    }
}
