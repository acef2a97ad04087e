#!/usr/bin/env python3
"""Generates a garage backup (the seed's CloudBackupData) of about the requested size, with French
names, accents, amounts and dates: bench/gen_dataset.py 50 > garage-50mb.json"""
import json
import random
import sys

FIRST = ["Élodie", "Jérôme", "Françoise", "Loïc", "Cédric", "Hélène", "Benoît", "Maëlle", "Noémie", "Gaël", "Anaïs", "Rémi"]
LAST = ["Dupré", "Lefèvre", "Müller", "Garçon", "Béranger", "Châtelain", "Rousseau", "Péronne", "Moreau", "Lemaître"]
CITIES = ["Besançon", "Orléans", "Nîmes", "Angoulême", "Saint-Étienne", "Évreux", "Périgueux", "Montréal-la-Cluse"]
MAKES = [("Renault", "Clio"), ("Peugeot", "208"), ("Citroën", "C3"), ("Dacia", "Sandero"), ("Volkswagen", "Golf")]
WORK = ["Vidange + filtre à huile", "Remplacement plaquettes AV", "Courroie de distribution", "Diagnostic électronique",
        "Géométrie / parallélisme", "Pneus été 205/55 R16", "Révision complète", "Embrayage — kit complet"]


def amount(r):
    return round(r.uniform(15, 2500), 2)


def build(target_mb, seed=42):
    r = random.Random(seed)
    data = {k: [] for k in ["customers", "vehicles", "repairs", "invoices", "users", "mechanics", "appointments", "stock"]}
    data["users"] = [{"id": f"u{i}", "name": f"{r.choice(FIRST)} {r.choice(LAST)}", "role": "admin" if i == 0 else "staff"} for i in range(5)]
    data["mechanics"] = [{"id": f"m{i}", "name": f"{r.choice(FIRST)} {r.choice(LAST)}", "hourlyRate": 45.5} for i in range(8)]
    data["stock"] = [{"id": f"s{i}", "ref": f"REF-{i:05d}", "label": r.choice(WORK), "qty": r.randint(0, 40), "price": amount(r)} for i in range(500)]
    size, i = 0, 0
    target = target_mb * 1024 * 1024
    while size < target:
        c = {"id": f"c{i}", "firstName": r.choice(FIRST), "lastName": r.choice(LAST), "email": f"client{i}@exemple.fr",
             "phone": f"06 {r.randint(10,99)} {r.randint(10,99)} {r.randint(10,99)} {r.randint(10,99)}",
             "address": f"{r.randint(1,200)} rue de l'Église, {r.randint(10000,95999)} {r.choice(CITIES)}",
             "notes": "Client fidèle — préfère être appelé le matin.\nPaiement par chèque accepté." if i % 7 == 0 else ""}
        make, model = r.choice(MAKES)
        v = {"id": f"v{i}", "customerId": c["id"], "make": make, "model": model, "year": r.randint(2005, 2025),
             "plate": f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}-{i % 1000:03d}-{chr(65 + i % 23)}{chr(66 + i % 23)}",
             "mileage": r.randint(1000, 300000), "vin": f"VF1{i:014d}"}
        rep = {"id": i, "vehicleId": v["id"], "date": f"2026-{r.randint(1,12):02d}-{r.randint(1,28):02d}T{r.randint(8,18):02d}:00:00.000Z",
               "description": r.choice(WORK), "laborHours": round(r.uniform(0.5, 8), 1), "parts": [{"stockId": f"s{r.randint(0,499)}", "qty": r.randint(1, 4)}],
               "total": amount(r), "status": r.choice(["terminée", "en cours", "en attente de pièces"])}
        inv = {"id": f"F-2026-{i:06d}", "repairId": i, "amountHT": amount(r), "tva": 20, "paid": r.random() < 0.8,
               "counter": 9007199254740993 + i}
        ap = {"id": f"a{i}", "customerId": c["id"], "at": f"2026-12-{r.randint(1,28):02d}T{r.randint(8,17):02d}:30:00.000Z", "reason": r.choice(WORK)}
        for k, e in (("customers", c), ("vehicles", v), ("repairs", rep), ("invoices", inv), ("appointments", ap)):
            data[k].append(e)
            size += len(json.dumps(e, ensure_ascii=False).encode()) + 1
        i += 1
    data["settings"] = {"currency": "EUR", "tva": 20, "garageHours": "8h–18h", "theme": "clair"}
    return {"timestamp": "2026-11-24T08:00:00.000Z", "version": "1.0",
            "garage": {"name": "Garage du Pont-Neuf", "siret": "123 456 789 00012", "city": "Besançon"}, "data": data}


if __name__ == "__main__":
    mb = float(sys.argv[1]) if len(sys.argv) > 1 else 50
    sys.stdout.write(json.dumps(build(mb), ensure_ascii=False, separators=(",", ":")))
