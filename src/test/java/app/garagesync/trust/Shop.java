package app.garagesync.trust;

import app.garagesync.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A clean garage, built like bench/gen_dataset.py (same collections and field names: vehicles.customerId,
 * repairs.vehicleId, invoices.repairId, appointments.customerId), plus what the rules also look at and
 * the generator leaves out: repairs.mechanicId and invoices.number, numbered without a gap. Tests break
 * one thing in it and render it.
 */
public final class Shop {

    private final Map<String, List<Map<String, Object>>> data = new LinkedHashMap<>();

    public Shop(int customers) {
        for (String c : List.of("customers", "vehicles", "repairs", "invoices", "users", "mechanics", "appointments", "stock")) {
            data.put(c, new ArrayList<>());
        }
        for (int i = 0; i < 3; i++) {
            data.get("users").add(record("id", "u" + i, "name", "Élodie Dupré " + i, "role", i == 0 ? "admin" : "staff"));
        }
        for (int i = 0; i < 4; i++) {
            data.get("mechanics").add(record("id", "m" + i, "name", "Loïc Müller " + i, "hourlyRate", 45.5));
        }
        for (int i = 0; i < 5; i++) {
            data.get("stock").add(record("id", "s" + i, "ref", String.format("REF-%05d", i), "qty", i));
        }
        for (int i = 0; i < customers; i++) {
            data.get("customers").add(record("id", "c" + i, "firstName", "Hélène", "lastName", "Châtelain " + i));
            data.get("vehicles").add(record("id", "v" + i, "customerId", "c" + i, "make", "Citroën", "model", "C3"));
            // repairs have numeric ids, as in the generator; invoices point at them by number
            data.get("repairs").add(record("id", i, "vehicleId", "v" + i, "mechanicId", "m" + (i % 4), "total", 19.90));
            data.get("invoices").add(record("id", String.format("F-2026-%06d", i), "repairId", i,
                    "number", String.format("F-2026-%04d", i + 1), "amountHT", 120.5));
            data.get("appointments").add(record("id", "a" + i, "customerId", "c" + i, "reason", "Révision"));
        }
    }

    public static Map<String, Object> record(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public List<Map<String, Object>> get(String collection) {
        return data.get(collection);
    }

    /** The record of {@code collection} whose id is {@code id}. */
    public Map<String, Object> find(String collection, Object id) {
        return data.get(collection).stream().filter(r -> r.get("id").equals(id)).findFirst().orElseThrow();
    }

    public String render() {
        Map<String, Object> all = new LinkedHashMap<>(data);
        all.put("settings", Map.of("currency", "EUR"));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("timestamp", "2026-11-24T08:00:00.000Z");
        doc.put("version", "1.0");
        doc.put("garage", Map.of("name", "Garage du Pont-Neuf"));
        doc.put("data", all);
        return Json.write(doc);
    }
}
