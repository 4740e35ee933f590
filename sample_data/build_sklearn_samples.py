"""Write scikit-learn's bundled datasets out as CSV with their real column and class names.

Run once from the project root: ``python sample_data/build_sklearn_samples.py``. The CSVs are
committed so the workbench needs no download at start.
"""

from pathlib import Path

from sklearn import datasets

HERE = Path(__file__).parent
DIABETES_NAMES = {
    "s1": "total_cholesterol", "s2": "ldl", "s3": "hdl", "s4": "cholesterol_hdl_ratio",
    "s5": "log_triglycerides", "s6": "blood_sugar",
}


def labelled(bunch, target_name, class_names):
    frame = bunch.frame.copy()
    frame.columns = [c.replace(" (cm)", "_cm").replace(" ", "_") for c in frame.columns]
    frame[target_name] = frame.pop("target").map(dict(enumerate(class_names)))
    return frame


def main():
    iris = datasets.load_iris(as_frame=True)
    labelled(iris, "species", iris.target_names).to_csv(HERE / "iris.csv", index=False)
    wine = datasets.load_wine(as_frame=True)
    labelled(wine, "cultivar", ["cultivar_1", "cultivar_2", "cultivar_3"]).to_csv(
        HERE / "wine.csv", index=False)
    cancer = datasets.load_breast_cancer(as_frame=True)
    labelled(cancer, "diagnosis", cancer.target_names).to_csv(HERE / "breast_cancer.csv", index=False)
    diabetes = datasets.load_diabetes(as_frame=True, scaled=False).frame
    diabetes = diabetes.rename(columns={**DIABETES_NAMES, "target": "disease_progression"})
    diabetes["sex"] = diabetes["sex"].map({1.0: "female", 2.0: "male"})
    diabetes.to_csv(HERE / "diabetes.csv", index=False)


if __name__ == "__main__":
    main()
